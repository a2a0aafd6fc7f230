
"
 9e7b8ee4e36e4353b6b6fd860f7732ee"(

id

d1-0jid

text

hello:tok0