
"
 f69122e9c4934be4a4659bd30cddb183"(

id

d1-1jid

text

hello:tok1