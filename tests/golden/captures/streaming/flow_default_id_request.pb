
/
 0123456789abcdef0123456789abcdef/default_id"!

id
d1jid

text
hello