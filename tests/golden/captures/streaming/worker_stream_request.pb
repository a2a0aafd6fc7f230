
+
 0123456789abcdef0123456789abcdef/stream"!

id
d1jid

text
hello