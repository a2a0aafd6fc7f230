
"
 74ad797135ab4544ac1c4759cd1299dd"(

id

d1-1jid

text

hello:tok1