
"
 95d867c5a53949a7818736febecc5b2b"(

id

d1-1jid

text

hello:tok1