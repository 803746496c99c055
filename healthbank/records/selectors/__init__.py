"""Person-scoped reads for the portal, one module per area. Every function takes the person
whose data it reads first and returns only that person's rows."""
