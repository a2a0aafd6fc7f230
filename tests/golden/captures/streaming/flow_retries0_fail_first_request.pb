
/
 0123456789abcdef0123456789abcdef/fail_first"!

id
d1jid

text
hello