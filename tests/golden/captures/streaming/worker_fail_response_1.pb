
"
 6d89643cdec347e896ef1768801968ac"(

id

d1-1jid

text

hello:tok1