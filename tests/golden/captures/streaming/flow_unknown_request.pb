
0
 0123456789abcdef0123456789abcdef/nonexistent"!

id
d1jid

text
hello