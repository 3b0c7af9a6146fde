package dns

import (
	"container/list"
	"sync"
	"time"
)

// ttlCache is a thread-safe LRU cache whose entries also expire after a
// time to live, as the lru_redux TTL cache Logstash's dns filter uses.
type ttlCache struct {
	mu    sync.Mutex
	size  int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key     string
	value   string
	expires time.Time
}

func newTTLCache(size int, ttl time.Duration) *ttlCache {
	return &ttlCache{size: size, ttl: ttl, now: time.Now, order: list.New(), items: map[string]*list.Element{}}
}

func (c *ttlCache) get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return "", false
	}
	ent := el.Value.(*cacheEntry)
	if !c.now().Before(ent.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return "", false
	}
	c.order.MoveToFront(el)
	return ent.value, true
}

func (c *ttlCache) set(key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	expires := c.now().Add(c.ttl)
	if el, ok := c.items[key]; ok {
		ent := el.Value.(*cacheEntry)
		ent.value, ent.expires = value, expires
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key: key, value: value, expires: expires})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}
