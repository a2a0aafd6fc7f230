
"
 3105684676ee4d64899f3e566c335aa6"(

id

d1-0jid

text

hello:tok0