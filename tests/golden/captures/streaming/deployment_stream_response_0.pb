
"
 6153b653b3534b9cbf03f3667262139f"(

id

d1-0jid

text

hello:tok0