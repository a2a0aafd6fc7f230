
"
 9b52978f5f3d4fb7bf1518f02ad855bd"(

id

d1-0jid

text

hello:tok0