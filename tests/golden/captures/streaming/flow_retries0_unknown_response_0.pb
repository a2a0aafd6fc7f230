
0
 0123456789abcdef0123456789abcdef/nonexistent
gatewayúÙØÈı˜–"!

id
d1jid

text
hello