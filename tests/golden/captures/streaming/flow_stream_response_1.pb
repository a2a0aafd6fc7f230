
"
 c132de0a43de4c37a9a261a092838cea"(

id

d1-1jid

text

hello:tok1