
"
 61c34a3663e84b3cb2ed1054e050e6ad"(

id

d1-0jid

text

right type