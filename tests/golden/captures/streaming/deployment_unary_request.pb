
*
 0123456789abcdef0123456789abcdef/unary"!

id
d1jid

text
hello