
"
 09cb7a5d6dba4bae96a5c2eb7711ab7f"(

id

d1-0jid

text

hello:tok0