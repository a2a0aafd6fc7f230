
"
 096d976611394e72accb479266669acb"(

id

d1-2jid

text

hello:tok2