
"
 9066c8955dea444dbb3d5a16a423f302"(

id

d1-2jid

text

hello:tok2