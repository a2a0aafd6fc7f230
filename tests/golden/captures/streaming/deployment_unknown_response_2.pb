
0
 0123456789abcdef0123456789abcdef/nonexistent
gatewayşÙØ°’Ëù"!

id
d1jid

text
hello