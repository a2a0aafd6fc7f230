
"
 c5d8c2a839da441cb82d0100b81e2984"(

id

d1-2jid

text

hello:tok2