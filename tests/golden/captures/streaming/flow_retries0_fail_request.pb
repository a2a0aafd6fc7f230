
)
 0123456789abcdef0123456789abcdef/fail"!

id
d1jid

text
hello