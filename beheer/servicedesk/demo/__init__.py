"""The servicedesk's part of the demo: the school (people, groups, categories, suppliers, the OLA),
the families of trouble a school's desk sees, and each melding's life from registration to the
caller's confirmation, planned in office hours and told through the servicedesk services.

Higher apps' stories meet the meldingen through `world.World` (the problems through its
`ProblemStory`); the demo app sets the scene and runs the timeline."""
