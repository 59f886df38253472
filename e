/dev/fd/3: line 47: ./sc: No such file or directory
