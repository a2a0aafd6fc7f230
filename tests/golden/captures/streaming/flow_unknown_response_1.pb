
0
 0123456789abcdef0123456789abcdef/nonexistent
gatewayôÙØ€ÉÌ$"!

id
d1jid

text
hello