"""Person-scoped reads of a person's records, one module per area: the portal, downloaded
packages, the app and the virtual card all read through them. Every function takes the
person whose data it reads first and returns only that person's rows."""
