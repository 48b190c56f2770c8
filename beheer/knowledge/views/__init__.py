"""The knowledge screens: articles and the portal's knowledge pages (`articles`), change notices and
read acknowledgements (`notices`), attachments and the print and PDF views (`printing`); each module
declares its audience (`ACCESS`)."""
