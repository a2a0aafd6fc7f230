
+
 fdf4116da1cd47cebc7cfa233e9481ec/params"!

id
d1jid

text
hello