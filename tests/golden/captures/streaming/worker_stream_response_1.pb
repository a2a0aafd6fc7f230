
"
 0920b122555b4ac2b43672113f337497"(

id

d1-1jid

text

hello:tok1