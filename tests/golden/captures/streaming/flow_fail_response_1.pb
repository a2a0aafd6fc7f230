
"
 69d1b787e35a42f38a69e6f41a147a05"(

id

d1-1jid

text

hello:tok1