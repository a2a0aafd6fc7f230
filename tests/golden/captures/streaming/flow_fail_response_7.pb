
"
 80b2aae915be45ac961e36a2950dfcc3"(

id

d1-1jid

text

hello:tok1