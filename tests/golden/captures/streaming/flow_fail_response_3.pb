
"
 9b9473d7d45a43b59616787315306097"(

id

d1-1jid

text

hello:tok1