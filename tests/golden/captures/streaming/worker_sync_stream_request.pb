
0
 0123456789abcdef0123456789abcdef/sync_stream"!

id
d1jid

text
hello