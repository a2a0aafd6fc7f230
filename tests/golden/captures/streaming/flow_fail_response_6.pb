
"
 38fc08d28b1643229dc4f6412698d74e"(

id

d1-0jid

text

hello:tok0