
"
 8455886fe5724d458f34780cd62aae5b"-

id

d1-2jid

text
héllo
☃:tok2