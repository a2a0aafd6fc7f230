
¸
 18675c381e474fb48039970b860be96c“YValueError('output document type OtherDoc does not match the endpoint output type MyDoc')³

ValueErrorKoutput document type OtherDoc does not match the endpoint output type MyDocXValueError: output document type OtherDoc does not match the endpoint output type MyDoc
