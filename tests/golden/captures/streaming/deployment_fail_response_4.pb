
"
 77925faf95fd4b7987bc45486a2ac1f0"(

id

d1-0jid

text

hello:tok0