
"
 643c3694e2cf4cb6bd61e2536206d601"(

id

d1-0jid

text

hello:tok0