
"
 afecf27d6e8a43188bcd96d806d6be6f" 

id

d1-0jid

text
{}