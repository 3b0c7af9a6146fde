require "digest"
SALT = "pepper"
@count = 0
def pseudonym(name)
  Digest::SHA256.hexdigest(SALT + name)[0, 12]
end
