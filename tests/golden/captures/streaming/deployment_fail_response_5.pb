
"
 6102e7287c794b4fb0dbeaad7bfa4b35"(

id

d1-1jid

text

hello:tok1