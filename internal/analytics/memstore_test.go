package analytics_test

import (
	"testing"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/analytics/analyticstest"
)

func TestMemStoreConforms(t *testing.T) {
	analyticstest.Run(t, func(*testing.T) analytics.Store { return analytics.NewMemStore() })
}
