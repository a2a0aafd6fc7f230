
/
 0123456789abcdef0123456789abcdef/wrong_type"!

id
d1jid

text
hello