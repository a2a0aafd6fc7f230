
"
 c11aa40e96804a2f9ed1af6b7dc1fe86"(

id

d1-0jid

text

hello:tok0