
"
 fa84d8c6192347348422a9b94cbc5690"(

id

d1-0jid

text

right type