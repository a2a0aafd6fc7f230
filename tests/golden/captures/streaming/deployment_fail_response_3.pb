
"
 625f24938dc248e08d0c40e450443634"(

id

d1-1jid

text

hello:tok1