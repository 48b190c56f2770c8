"""The CMDB screens under /cmdb/: configuration items for staff (`items`), their types and attributes
for administrators (`types`)."""
