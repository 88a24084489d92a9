package rules_test

import (
	"errors"
	"fmt"

	"github.com/autopilotsim/autopilotsim/mockgraph/rules"
)

func Example() {
	r, err := rules.Parse(`(device.devicePhysicalIds -any _ -eq "[OrderID]:HAADJ")`)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.String())
	fmt.Println(r.Properties())
	fmt.Println(r.Match(rules.Properties{"devicePhysicalIds": []string{"[ZTDId]:x", "[OrderID]:haadj"}}))

	_, err = rules.Parse(`device.accountEnabled -contains true`)
	var se *rules.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Pos, se.Code)
		fmt.Println(se.GraphMessage())
	}
	// Output:
	// device.devicePhysicalIds -any (_ -eq "[OrderID]:HAADJ")
	// [devicePhysicalIds]
	// true
	// 22 OperatorNotSupported
	// Dynamic membership rule validation error: Operator isn't supported on attribute.
}
