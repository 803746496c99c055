# Amounts as NHIA shows them (目前投保金額 34,800): groups of three with a comma, where
# Django's zh_Hant has no separator. Everything else comes from Django's zh_Hant formats.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
