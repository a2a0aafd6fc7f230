
"
 4e7e462cdb34493eb0dd9dbebc21920b"(

id

d1-1jid

text

hello:tok1