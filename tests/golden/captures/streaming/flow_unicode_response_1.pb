
"
 349a96af588e41218f14283eb6e35a26"-

id

d1-1jid

text
héllo
☃:tok1