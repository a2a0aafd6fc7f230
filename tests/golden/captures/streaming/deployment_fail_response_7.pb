
"
 a0ba3b1e64ed4b289e19e83567447347"(

id

d1-1jid

text

hello:tok1