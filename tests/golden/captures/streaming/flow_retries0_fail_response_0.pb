
"
 d09361fec97b46bf80f0d6f9b6945873"(

id

d1-0jid

text

hello:tok0