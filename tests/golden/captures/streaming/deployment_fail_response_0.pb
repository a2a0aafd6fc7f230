
"
 f2e04644012d41e4a6cdc263a6988850"(

id

d1-0jid

text

hello:tok0